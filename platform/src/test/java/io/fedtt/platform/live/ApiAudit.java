package io.fedtt.platform.live;

import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.URI;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns an HTTP request to the Kubernetes API into what RBAC decides on: API group, resource (with
 * subresource) and verb, written {@code group/resource:verb} with {@code core} for the empty group.
 */
public final class ApiAudit {

  // /api/v1[/namespaces/NS]/RESOURCE[/NAME[/SUB]]  and  /apis/GROUP/VERSION[/namespaces/NS]/RESOURCE[/NAME[/SUB]]
  private static final Pattern CORE = Pattern.compile("^/api/v1(?:/namespaces/[^/]+)?/([^/]+)(?:/([^/]+)(?:/([^/]+))?)?$");
  private static final Pattern GROUPED =
      Pattern.compile("^/apis/([^/]+)/[^/]+(?:/namespaces/[^/]+)?/([^/]+)(?:/([^/]+)(?:/([^/]+))?)?$");

  private ApiAudit() {}

  /** The grant a request needs, or empty for non-resource URLs (discovery, /version). */
  public static Optional<String> grant(RecordedRequest r) {
    URI uri = URI.create(r.getPath());
    String path = uri.getPath();
    String query = uri.getQuery() == null ? "" : uri.getQuery();
    String group;
    String resource;
    String name;
    String sub;
    Matcher m = CORE.matcher(path);
    if (m.matches()) {
      group = "core";
      resource = m.group(1);
      name = m.group(2);
      sub = m.group(3);
    } else if ((m = GROUPED.matcher(path)).matches()) {
      group = m.group(1);
      resource = m.group(2);
      name = m.group(3);
      sub = m.group(4);
    } else {
      return Optional.empty();
    }
    // "namespaces" itself as a resource: /api/v1/namespaces/NS is a get on namespaces.
    if (path.matches("^/api/v1/namespaces/[^/]+$")) {
      resource = "namespaces";
      name = path.substring(path.lastIndexOf('/') + 1);
      sub = null;
    }
    String verb = switch (r.getMethod().toUpperCase()) {
      case "GET" -> query.contains("watch=true") || query.contains("watch=1") ? "watch" : name == null ? "list" : "get";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> name == null ? "deletecollection" : "delete";
      default -> throw new IllegalArgumentException("unexpected method " + r.getMethod() + " " + r.getPath());
    };
    return Optional.of(group + "/" + resource + (sub == null ? "" : "/" + sub) + ":" + verb);
  }
}
