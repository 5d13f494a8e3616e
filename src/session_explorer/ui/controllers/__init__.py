"""State machines of the explorer that are not widgets (they run on the UI thread)."""
