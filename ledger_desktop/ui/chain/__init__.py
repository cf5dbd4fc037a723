"""The hash-chain view: the journal drawn as a chain of blocks, and its timeline."""
