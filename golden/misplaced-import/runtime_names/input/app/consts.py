ASCII = "ascii"
