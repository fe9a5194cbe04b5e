"""Languages: one catalogue of labels and sentence templates, number formats, Korean particles."""
