from app.a import x
