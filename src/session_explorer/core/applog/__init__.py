"""App logs: bytes -> records -> a block index -> line sources (grammar, scanner,
index, rotations, the direct scan of `show`).
"""
