
Bsoftmax_0.tmp_0Jìÿ?+A›5