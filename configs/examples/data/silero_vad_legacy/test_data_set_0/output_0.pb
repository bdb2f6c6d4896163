
BoutputJä=