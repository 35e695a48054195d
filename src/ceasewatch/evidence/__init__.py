"""The tamper-evident evidence log: canonical leaves, an RFC 6962 Merkle tree, signed
checkpoints (C2SP tlog-checkpoint / signed-note), tlog-tiles export, witnesses, and the
standalone verifier a party runs without trusting the operator."""
