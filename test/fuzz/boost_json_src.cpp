// Boost.JSON's sources, for the fuzz build only (see CMakeLists.txt).
#include <boost/json/src.hpp>
