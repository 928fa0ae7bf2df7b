"""Reporting: what a run's records become for people (TensorBoard now; tables, plots, HTML later)."""
