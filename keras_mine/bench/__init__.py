"""The benchmark runner, the rho-sweep demo, their plots and the command line."""
