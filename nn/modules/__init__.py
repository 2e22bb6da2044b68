"""The layer classes, one file per family (linear, activation, dropout, container, sparse, conv, ...)."""
