"""Forum spaces, topics, posts and live discussion."""
