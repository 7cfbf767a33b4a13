"""逢查必考: question banks, random draws and on-site quizzes."""
