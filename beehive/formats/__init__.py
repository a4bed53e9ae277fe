"""Date and number formats for locales Django does not ship (settings.FORMAT_MODULE_PATH)."""
