"""markup stage."""
