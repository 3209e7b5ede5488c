from chalkboard.cli import main

main()
