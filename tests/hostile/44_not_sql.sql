-- expect: error
-- attack: Python instead of SQL
import os; os.system('touch hostile_pwned')
