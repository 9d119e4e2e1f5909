"""Security findings of issue 9, each kept fixed by a test."""
