// libglimpse_engine.so is glimpse_engine_impl linked whole; its entry point is engine_entry.cpp.
