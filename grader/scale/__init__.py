"""At scale: the data generator, the three reference pipelines and the benchmarks."""
