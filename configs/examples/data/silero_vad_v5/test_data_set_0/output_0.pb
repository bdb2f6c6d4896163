
BoutputJ³š!?