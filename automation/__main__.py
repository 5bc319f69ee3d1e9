from automation.cli import run

run()
