"""Backends move cells and structure; the pipeline never knows which one it talks to."""
