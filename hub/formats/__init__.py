"""Date and time formats of our own, over Django's (settings.FORMAT_MODULE_PATH)."""
