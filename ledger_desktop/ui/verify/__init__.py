"""The verification centre: verify the journal, saved digests, proofs, reports, status."""
