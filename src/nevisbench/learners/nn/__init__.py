"""Neural-network parts shared by the learners: backbones, heads, optimizer and schedule."""
