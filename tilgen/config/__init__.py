"""Settings: the model, the layers that resolve them, their keys and file editing."""
