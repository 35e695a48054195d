"""ceasewatch: continuous ceasefire monitoring and verification.

The data flow is visible in the sub-packages: ``model`` (shared vocabulary and geometry),
``agreement`` (the ceasefire as checkable data), ``report`` (what people look at), and ``cli``
(thin commands over the library).
"""

__version__ = "0.1.0"
