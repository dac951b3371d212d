"""Question drafts: candidate quiz questions a generator proposes from a lesson's transcript, in a
review queue; an approved draft becomes a question of a bank through assessment's service."""
