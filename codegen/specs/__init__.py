"""One module per spec file.  Each defines FILE (the spec file name), TABLES
(its schema), and ``outputs(loaded, ctx)`` returning the files to generate.
``check`` (optional) validates what the schema cannot express."""
