"""Running items and recording them: select/execute, Result files, compare, atomic writes, executors."""
