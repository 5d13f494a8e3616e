"""The Textual explorer: widgets, screens and the app (imports Textual)."""
