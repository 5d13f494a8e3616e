"""The logs directory as sessions: layout, one app log kept indexed, the interaction
files, the catalog, the timeline, the export.
"""
