"""Dataset readers (IDX, CIFAR-10), the named-dataset registry, and synthetic sets."""
