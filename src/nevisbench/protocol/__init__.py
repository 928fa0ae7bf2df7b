"""The protocol: the run loop over a stream's events, the workdir it writes, resumption."""
