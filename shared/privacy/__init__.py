"""Privacy: a user's GDPR export and erasure across every context, and each tenant's retention."""
