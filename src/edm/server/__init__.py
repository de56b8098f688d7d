"""The HTTP face of EDM: an ASGI app whose routes derive from the manifest."""
