"""The autograd engine: ``Function`` (one op), the graph walk, ``no_grad`` and ``gradcheck``."""
