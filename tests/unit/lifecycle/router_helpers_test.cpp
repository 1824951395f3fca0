#include <catch2/catch.hpp>

#include "app/router.hpp"

using namespace pulse::lifecycle;

TEST_CASE("JSON content type detection", "[router]") {
    CHECK(is_json_content_type("application/json"));
    CHECK(is_json_content_type("application/json; charset=utf-8"));
    CHECK(is_json_content_type("Application/JSON"));
    CHECK_FALSE(is_json_content_type(""));
    CHECK_FALSE(is_json_content_type("text/plain"));
    CHECK_FALSE(is_json_content_type("application/jsonp"));
    CHECK_FALSE(is_json_content_type("application/x-www-form-urlencoded"));
}

TEST_CASE("query parameters", "[router]") {
    CHECK(query_param("after=5&limit=10", "after") == "5");
    CHECK(query_param("after=5&limit=10", "limit") == "10");
    CHECK(query_param("after=5", "limit").empty());
    CHECK(query_param("", "after").empty());
    CHECK(query_param("afterx=1&after=2", "after") == "2");
}
