"""What a reader asks of line sources: the sources themselves, level and logger
filters, search.
"""
