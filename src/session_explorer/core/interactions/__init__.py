"""Interaction files: JSONL bytes -> summaries and Interaction models (reader,
summaries, stats, search, payloads/).
"""
