"""Following the logs over time: file-system wake-ups and the live feed."""
