"""Learning activity: watch progress, completion, and the domain events they record."""
