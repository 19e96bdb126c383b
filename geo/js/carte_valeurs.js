/* Couches de valeurs sur géométries statiques (format geo-quantifie-1 de geo/geometries_web.py).
 *
 * Écrit pour l'application (aucune bibliothèque autre que Leaflet). Une couche reçoit, à chaque
 * exécution Streamlit, les URL des fichiers de géométries et, par code de territoire, sa classe de
 * couleur et les textes de son infobulle ; les géométries sont téléchargées une fois par onglet :
 * - le texte des fichiers est gardé dans la page Streamlit (fenêtre parente des cadres des cartes,
 *   même origine) : il sert à toutes les cartes, de toutes les pages, pendant toute la session ;
 * - dans un cadre, les coordonnées décodées et les polygones Leaflet sont réutilisés d'une
 *   exécution à l'autre (seuls les styles changent).
 */
(function () {
  "use strict";
  var L = window.L;
  var decodes = {};   // url -> Promise du fichier décodé (dans ce cadre)
  var reserve = {};   // url|volet|interactif -> polygones Leaflet réutilisables
  var rendus = {};    // volet -> moteur de rendu canvas
  var orphelins = {}; // url|volet|interactif -> polygones d'une couche retirée, encore sur la carte
  // Indices envoyés en un caractère (ALPHABET de geo/carte_valeurs.py), "~" : territoire absent.
  var ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_", RANG = {};
  for (var r0 = 0; r0 < ALPHABET.length; r0++) { RANG[ALPHABET.charCodeAt(r0)] = r0; }
  RANG["~".charCodeAt(0)] = -1;

  function indice(t, k) { return typeof t === "string" ? RANG[t.charCodeAt(k)] : t[k]; }

  // Entier n, e décimales → texte français (1\u00a0234,5) : le texte que Python a formaté.
  function nombre(n, e) {
    if (n === null || n === undefined) { return "Sans donnée"; }
    var a = Math.abs(n), p = Math.pow(10, e), ent = Math.floor(a / p), t = String(ent);
    t = t.replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0");
    if (e > 0) { t += "," + String(a - ent * p).padStart(e, "0"); }
    return (n < 0 ? "-" : "") + t;
  }

  function cachePartage() {
    try {
      var w = window.parent;
      if (w && w !== window && w.document) {
        w.__geometriesCartes = w.__geometriesCartes || {};
        return w.__geometriesCartes;
      }
    } catch (e) { /* autre origine : cache du cadre seulement */ }
    window.__geometriesCartes = window.__geometriesCartes || {};
    return window.__geometriesCartes;
  }

  function attendre(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }

  // Le texte du fichier : depuis la page si un cadre l'a déjà téléchargé (ou est en train de le
  // faire : on attend au plus 20 s), sinon téléchargé ici. Seules des chaînes et des nombres sont
  // rangés dans la page : ils restent valables quand le cadre qui les a rangés disparaît.
  function texte(url) {
    var c = cachePartage(), encours = "en_cours:" + url;
    if (typeof c[url] === "string") { return Promise.resolve(c[url]); }
    if (typeof c[encours] === "number" && Date.now() - c[encours] < 20000) {
      return attendre(40).then(function () { return texte(url); });
    }
    c[encours] = Date.now();
    return fetch(url, {credentials: "same-origin"}).then(function (r) {
      if (!r.ok) { throw new Error("Contours introuvables : " + url + " (" + r.status + ")"); }
      return r.text();
    }).then(function (t) {
      c[url] = t;
      delete c[encours];
      c.telechargements = (c.telechargements || 0) + 1;
      return t;
    }, function (e) { delete c[encours]; throw e; });
  }

  function charger(url) {
    if (!decodes[url]) {
      decodes[url] = texte(url).then(function (t) {
        var d = JSON.parse(t), index = {};
        for (var i = 0; i < d.codes.length; i++) { index[d.codes[i]] = i; }
        d.index = index;
        d.latlngs = new Array(d.codes.length);
        d.url = url;
        return d;
      });
      decodes[url].catch(function () { delete decodes[url]; });
    }
    return decodes[url];
  }

  // Coordonnées d'un territoire : entiers en écarts → LatLng (calculé une fois par cadre).
  function latlngs(d, i) {
    if (d.latlngs[i]) { return d.latlngs[i]; }
    var pas = d.pas, polygones = d.geometries[i], res = [];
    for (var p = 0; p < polygones.length; p++) {
      var anneaux = [];
      for (var a = 0; a < polygones[p].length; a++) {
        var q = polygones[p][a], x = 0, y = 0, points = new Array(q.length / 2);
        for (var j = 0; j < q.length; j += 2) {
          x += q[j]; y += q[j + 1];
          points[j / 2] = L.latLng(y * pas, x * pas);
        }
        anneaux.push(points);
      }
      res.push(anneaux);
    }
    d.latlngs[i] = res;
    return res;
  }

  function restyler(p, style, cleStyle) {
    if (p.__cleStyle !== cleStyle) { p.setStyle(style); p.__cleStyle = cleStyle; }
  }

  function colonne(c, k) {
    if (c === null || c === undefined) { return ""; }
    if (Array.isArray(c)) { return c[k]; }
    return c.n ? nombre(c.n[k], c.e) : c.d[indice(c.i, k)];
  }

  // Retire de la carte les orphelins qu'aucune couche n'a repris : ceux de `liste`, ou ceux des
  // fichiers qu'une couche vient de dessiner (elle a repris ce qu'elle voulait).
  function retirerOrphelins(map, liste, fichiers, couche) {
    var candidats = liste || [];
    if (!liste) {
      var prefixes = fichiers.map(function (f) { return f.url + "|" + couche._volet + "|" + couche.options.interactive; });
      prefixes.forEach(function (c) { candidats = candidats.concat(orphelins[c] || []); delete orphelins[c]; });
    }
    candidats.forEach(function (p) {
      if (p.__orphelin) { p.__orphelin = false; if (p._map) { p._map.removeLayer(p); } }
    });
    if (liste) {
      Object.keys(orphelins).forEach(function (c) {
        orphelins[c] = orphelins[c].filter(function (p) { return p.__orphelin; });
        if (!orphelins[c].length) { delete orphelins[c]; }
      });
    }
  }

  function volet(map, nom, z) {
    var v = map.getPane(nom);
    if (!v) {
      v = map.createPane(nom);
      v.style.zIndex = z;
      if (nom === "contours") { v.style.pointerEvents = "none"; }
    }
    return nom;
  }

  L.CoucheValeurs = L.FeatureGroup.extend({
    options: {geometries: [], valeurs: null, codes: null, styles: [], etiquettes: null, legende: null,
              survol: true, interactive: true, canvas: false, contours: false},

    initialize: function (options) {
      L.FeatureGroup.prototype.initialize.call(this, [], options);
      L.setOptions(this, options);
    },

    onAdd: function (map) {
      L.FeatureGroup.prototype.onAdd.call(this, map);
      var o = this.options, self = this;
      this._volet = o.contours ? volet(map, "contours", 450) : volet(map, "valeurs", 400);
      if (o.legende) {
        this._legende = L.control({position: o.legende.position || "bottomleft"});
        this._legende.onAdd = function () {
          var div = L.DomUtil.create("div", "legende-carte");
          div.innerHTML = o.legende.html;  // écrit et échappé côté Python (geo.carte_leaflet.Legende)
          L.DomEvent.disableClickPropagation(div);
          return div;
        };
        this._legende.addTo(map);
      }
      if (o.etiquettes) { this.bindTooltip(function (l) { return self._infobulle(l); }, {sticky: true}); }
      if (o.survol && o.interactive) {
        this.on("mouseover", function (e) {
          e.layer.setStyle({color: "#000091", weight: 3, opacity: 1});
          e.layer.__cleStyle = null;  // style de survol : la prochaine exécution le remplace
          e.layer.bringToFront();
        });
        this.on("mouseout", function (e) { e.layer.setStyle(o.styles[e.layer.feature.properties.s]); });
      }
      var debut = performance.now();
      Promise.all(o.geometries.map(charger)).then(function (fichiers) {
        if (self._map) { self._dessiner(fichiers, debut); }
      }).catch(function (e) {
        if (window.console) { console.error(e); }
        if (self._map) {
          self._erreur = L.control({position: "topright"});
          self._erreur.onAdd = function () {
            var div = L.DomUtil.create("div", "erreur-carte");
            div.style.cssText = "background:#FFE9E9;color:#CE0500;padding:6px 10px;border-radius:4px";
            div.textContent = "Contours indisponibles : " + e.message;
            return div;
          };
          self._erreur.addTo(self._map);
        }
      });
    },

    // À chaque exécution, streamlit-folium retire l'ancienne couche puis ajoute la nouvelle dans la
    // même tâche : les polygones restent sur la carte un instant (orphelins) ; la nouvelle couche les
    // reprend en ne changeant que leur style, sans les reprojeter ni les redessiner tous (34 875
    // communes). Ceux qu'aucune couche ne reprend sont retirés à la tâche suivante.
    onRemove: function (map) {
      if (this._legende) { map.removeControl(this._legende); this._legende = null; }
      if (this._erreur) { map.removeControl(this._erreur); this._erreur = null; }
      var self = this, laisses = [], autres = [];
      this.eachLayer(function (p) {
        p.removeEventParent(self);
        if (p.__cle) { p.__orphelin = true; (orphelins[p.__cle] = orphelins[p.__cle] || []).push(p); laisses.push(p); }
        else { autres.push(p); }
      });
      this._layers = {};
      L.FeatureGroup.prototype.onRemove.call(this, map);
      autres.forEach(function (p) { map.removeLayer(p); });
      if (laisses.length) { setTimeout(function () { retirerOrphelins(map, laisses); }, 0); }
    },

    // `style` est partagé par les polygones d'une même classe ; `cleStyle` le résume : un polygone repris
    // qui garde son style n'est pas redessiné (changer de critère ne touche que les communes qui changent).
    _polygone: function (d, i, style, cleStyle) {
      var o = this.options, cle = d.url + "|" + this._volet + "|" + o.interactive;
      var r = reserve[cle] = reserve[cle] || {};
      var p = r[i];
      if (p && p.__orphelin && p._map === this._map) { p.__orphelin = false; restyler(p, style, cleStyle); return p; }
      if (p && !p._map) { restyler(p, style, cleStyle); return p; }
      var options = L.extend({}, style, {interactive: o.interactive, pane: this._volet});
      if (o.canvas) {
        rendus[this._volet] = rendus[this._volet] || L.canvas({padding: 0.5, pane: this._volet});
        options.renderer = rendus[this._volet];
      }
      p = L.polygon(latlngs(d, i), options);
      p.__cleStyle = cleStyle;
      if (!r[i]) { r[i] = p; p.__cle = cle; }
      return p;
    },

    _dessiner: function (fichiers, debut) {
      var o = this.options, v = o.valeurs, codes = v ? (v.codes || fichiers[0].codes) : o.codes, n = 0;
      var defaut = {fill: true, dashArray: null};
      var styles = o.styles.map(function (st) { return L.extend({}, defaut, st); });
      var cles = styles.map(function (st) { return JSON.stringify(st); });
      var alignees = v && !v.codes;  // valeurs dans l'ordre du (seul) fichier : le rang est l'indice
      var trouver = function (code, k) {
        if (alignees) { return [fichiers[0], k]; }
        for (var f = 0; f < fichiers.length; f++) {
          var i = fichiers[f].index[code];
          if (i !== undefined) { return [fichiers[f], i]; }
        }
        return null;
      };
      var liste = [];
      if (codes) {
        for (var k = 0; k < codes.length; k++) { liste.push([codes[k], k]); }
      } else {
        fichiers.forEach(function (f) { f.codes.forEach(function (c) { liste.push([c, -1]); }); });
      }
      for (var m = 0; m < liste.length; m++) {
        var code = liste[m][0], k2 = liste[m][1], s = v ? indice(v.s, k2) : 0;
        if (s < 0) { continue; }
        var t = trouver(code, k2);
        if (!t || !t[0].geometries[t[1]].length) { continue; }
        var p = this._polygone(t[0], t[1], styles[s], cles[s]);
        p.feature = {type: "Feature", properties: {code: code, s: s, k: k2, nom: t[0].noms[t[1]]}};
        this.addLayer(p);
        n++;
      }
      retirerOrphelins(this._map, null, fichiers, this);
      this.polygones = n;
      if (!o.contours) { window.__derniersPolygones = n; }
      window.__cartesDessins = (window.__cartesDessins || 0) + 1;
      window.__dureeDernierDessin = performance.now() - debut;
      this.fire("dessinee", {polygones: n});
    },

    _infobulle: function (l) {
      var o = this.options, pr = l.feature.properties, v = o.valeurs;
      var d = L.DomUtil.create("div", "infobulle-carte");
      L.DomUtil.create("strong", "", d).textContent = pr.nom;
      L.DomUtil.create("div", "", d).textContent = "Code\u00a0: " + pr.code;
      if (v && pr.k >= 0) {
        for (var j = 0; j < v.colonnes.length; j++) {
          L.DomUtil.create("div", "", d).textContent = o.etiquettes[j] + "\u00a0: " + colonne(v.colonnes[j], pr.k);
        }
      }
      return d;
    }
  });

  L.coucheValeurs = function (options) { return new L.CoucheValeurs(options); };
}());
