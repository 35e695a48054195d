"""Pure renderers of what people read: maps, and later reports and plots."""
