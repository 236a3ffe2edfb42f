// Asio and Beast separate compilation: their implementation is compiled here once instead of in every
// translation unit that uses them (BOOST_*_SEPARATE_COMPILATION is set for the whole project).
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
