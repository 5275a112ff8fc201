/* Territoires du Plan: decode the topology of the map layers and draw them.
 *
 * Served by the app (no CDN). The topology is built by dashboard/maps/topology.py:
 * TopoJSON's shared arcs, quantised and delta-encoded, with flat arcs
 * ([x0, y0, dx1, dy1, ...]), per-feature polygons of arc indexes (~i: reversed arc) and
 * properties as columns. Text values arrive HTML-escaped from the server and are inserted
 * as such in the tooltips.
 */
(function () {
  "use strict";

  var NUMBER = new Intl.NumberFormat("fr-FR");

  function decodeArcs(topology) {
    var scale = topology.transform.scale, translate = topology.transform.translate;
    return topology.arcs.map(function (flat) {
      var x = 0, y = 0, points = [];
      for (var k = 0; k < flat.length; k += 2) {
        x += flat[k]; y += flat[k + 1];
        points.push([x * scale[0] + translate[0], y * scale[1] + translate[1]]);
      }
      return points;
    });
  }

  function ring(arcs, indexes) {
    var points = [];
    indexes.forEach(function (i) {
      var part = i >= 0 ? arcs[i] : arcs[~i].slice().reverse();
      points.push.apply(points, points.length ? part.slice(1) : part);
    });
    return points;
  }

  function row(columns, j) {
    var out = {};
    Object.keys(columns).forEach(function (key) { out[key] = columns[key][j]; });
    return out;
  }

  function features(topology, name) {
    if (!topology._decoded) { topology._decoded = decodeArcs(topology); }
    var arcs = topology._decoded, object = topology.objects[name];
    if (!object) { return []; }
    return object.polygons.map(function (polygons, j) {
      return {
        type: "Feature",
        properties: row(object.properties, j),
        geometry: {
          type: "MultiPolygon",
          coordinates: polygons.map(function (p) {
            return p.map(function (r) { return ring(arcs, r); });
          })
        }
      };
    });
  }

  function column(topology, name, key, j) {
    var object = topology.objects[name];
    return object && j >= 0 ? object.properties[key][j] : null;
  }

  function table(rows) {
    return "<table>" + rows.map(function (r) {
      return "<tr><th>" + r[0] + "</th><td>" + r[1] + "</td></tr>";
    }).join("") + "</table>";
  }

  /* Add the layer ``name`` of ``topology`` to ``group`` (a Leaflet feature group).
   * options: niveau, labels (tooltip headers), style, highlight, colours (fill by code),
   * natures (EPCI nature code → label). */
  function addLayer(group, topology, name, options) {
    var labels = options.labels;
    var layer = L.geoJSON(features(topology, name), {
      style: function (f) {
        var style = Object.assign({}, options.style);
        if (options.colours) { style.fillColor = options.colours[f.properties.c] || "#cccccc"; }
        return style;
      },
      onEachFeature: function (f, l) {
        var p = f.properties, population = NUMBER.format(p.p), rows;
        if (name === "communes") {
          rows = [[labels[0], p.n], [labels[1], p.c], [labels[2], population],
                  [labels[3], column(topology, "epci", "n", p.e) || "—"],
                  [labels[4], column(topology, "instances", "n", p.i) || "aucune"]];
        } else if (name === "epci") {
          rows = [[labels[0], p.n], [labels[1], p.c],
                  [labels[2], (options.natures || {})[p.t] || p.t],
                  [labels[3], population], [labels[4], p.k]];
        } else {
          rows = [[labels[0], p.n], [labels[1], p.c], [labels[2], population],
                  [labels[3], p.k]];
        }
        /* What a click returns (streamlit-folium's last_active_drawing). */
        f.properties = {niveau: options.niveau, code: p.c, nom: p.n, c: p.c};
        l.bindTooltip(table(rows), {sticky: true});
        if (options.highlight) {
          l.on("mouseover", function () { l.setStyle(options.highlight); });
          l.on("mouseout", function () { layer.resetStyle(l); });
        }
      }
    });
    layer.addTo(group);
    return layer;
  }

  /* Circles of a point layer, all on one canvas renderer: points = {lat, lng, r, c, t}
   * (columns), style = {fillOpacity, fillColor, weight}. */
  function addPoints(group, points, style) {
    var renderer = L.canvas({padding: 0.5});
    for (var j = 0; j < points.lat.length; j++) {
      L.circleMarker([points.lat[j], points.lng[j]], {
        renderer: renderer, radius: points.r[j], color: points.c[j], weight: style.weight,
        fillColor: style.fillColor || points.c[j], fillOpacity: style.fillOpacity
      }).bindTooltip(points.t[j], {sticky: true}).addTo(group);
    }
    return group;
  }

  window.territoiresTopo = {features: features, addLayer: addLayer, addPoints: addPoints};
})();
