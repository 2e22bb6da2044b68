"""pathgrad.nn: modules, layers, losses, init, save/load and data loading, with torch.nn's names."""
