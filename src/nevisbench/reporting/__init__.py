"""Reporting: what a run's records become for people: live TensorBoard scalars, tables, plots and an HTML report."""
