# The gateway's executables (included by CMakeLists.txt here, after every layer folder).
