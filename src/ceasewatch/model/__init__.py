"""The shared vocabulary: identifiers, time, and geometry (the one place metric work happens)."""
