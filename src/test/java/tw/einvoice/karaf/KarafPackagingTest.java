package tw.einvoice.karaf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.SchemaFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/** What can be checked of the Karaf packaging without a Karaf: the features file, the manifest, the blueprint. */
class KarafPackagingTest {

    static final Path FEATURES = Path.of("src/main/karaf/features.xml");
    static final Path MANIFEST = Path.of("target/classes/META-INF/MANIFEST.MF");

    @Test
    void theFeaturesFileIsValidAgainstTheKarafFeaturesSchema() throws Exception {
        URL xsd = getClass().getClassLoader().getResource("org/apache/karaf/features/karaf-features-1.6.0.xsd");
        assertNotNull(xsd, "karaf-features-1.6.0.xsd from org.apache.karaf.features.core is on the test classpath");
        var schema = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI).newSchema(xsd);
        schema.newValidator().validate(new StreamSource(FEATURES.toFile())); // throws SAXParseException with line and column
    }

    @Test
    void theFeaturesFileInstallsThisProjectsBundleAndTheVersionsThePomUses() throws Exception {
        String features = Files.readString(FEATURES);
        String pom = Files.readString(Path.of("pom.xml"));
        assertTrue(features.contains("<bundle>mvn:tw.einvoice/ecpay-einvoice-camel/" + pomValue(pom, "version") + "</bundle>"));
        for (String[] lib : new String[][] {{"com.h2database/h2/", "h2.version"}, {"org.postgresql/postgresql/", "postgresql.version"},
                {"org.mariadb.jdbc/mariadb-java-client/", "mariadb.version"}, {"com.zaxxer/HikariCP/", "hikaricp.version"},
                {"org.flywaydb/flyway-core/", "flyway.version"}, {"org.apache.commons/commons-csv/", "commons-csv.version"}}) {
            assertTrue(features.contains(lib[0] + pomValue(pom, lib[1])), lib[0] + " in features.xml matches ${" + lib[1] + "}");
        }
        for (String feature : List.of("camel-blueprint", "camel-yaml-dsl", "camel-http", "camel-jackson", "camel-sql")) {
            assertTrue(features.contains(">" + feature + "</feature>"), feature);
        }
    }

    @Test
    void theBundleManifestExportsTheApiAndImportsCamelFromTheKarafRange() throws Exception {
        assertTrue(Files.exists(MANIFEST), "maven-bundle-plugin writes " + MANIFEST + " at process-classes");
        Manifest mf;
        try (InputStream in = Files.newInputStream(MANIFEST)) {
            mf = new Manifest(in);
        }
        var main = mf.getMainAttributes();
        assertEquals("2", main.getValue("Bundle-ManifestVersion"));
        assertEquals("tw.einvoice.ecpay-einvoice-camel", main.getValue("Bundle-SymbolicName"));
        List<String> exports = packages(main.getValue("Export-Package"));
        assertTrue(exports.containsAll(List.of("tw.einvoice.protocol", "tw.einvoice.camel", "tw.einvoice.journal", "tw.einvoice.karaf")),
                exports.toString());
        String imports = main.getValue("Import-Package");
        assertTrue(imports.contains("org.apache.camel;version=\"[4.14,5)\""), imports);
        for (String p : packages(imports)) {
            // every non-JDK import must be a package some feature provides; nothing of our own may leak in as an import
            assertTrue(!p.startsWith("tw.einvoice") || exports.contains(p), "imports its own unexported package " + p);
        }
    }

    @Test
    void karafKeepsItsOwnLoggingTheBundleAndFeatureBringNoLogback() throws Exception {
        // Karaf logs through pax-logging: Logback is the main job's backend only (runtime scope, optional)
        Manifest mf;
        try (InputStream in = Files.newInputStream(MANIFEST)) {
            mf = new Manifest(in);
        }
        String imports = mf.getMainAttributes().getValue("Import-Package");
        assertTrue(packages(imports).stream().noneMatch(p -> p.startsWith("ch.qos.logback")), imports);
        assertTrue(!Files.readString(FEATURES).contains("logback"), "features.xml installs no Logback bundle");
        String pom = Files.readString(Path.of("pom.xml"));
        assertTrue(pom.matches("(?s).*<artifactId>logback-classic</artifactId>[^\\n]*<scope>runtime</scope><optional>true</optional>.*"),
                "logback-classic is runtime and optional: no project using the jar as a library inherits it");
    }

    @Test
    void theBlueprintRunsTheYamlRoutesBuilderWithConfigAdminProperties() throws Exception {
        var factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        Document doc;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("OSGI-INF/blueprint/ecpay-einvoice.xml")) {
            doc = factory.newDocumentBuilder().parse(in);
        }
        NodeList cm = doc.getElementsByTagNameNS("http://aries.apache.org/blueprint/xmlns/blueprint-cm/v1.1.0", "property-placeholder");
        assertEquals("tw.einvoice.ecpay", cm.item(0).getAttributes().getNamedItem("persistent-id").getNodeValue());
        NodeList beans = doc.getElementsByTagNameNS("http://www.osgi.org/xmlns/blueprint/v1.0.0", "bean");
        for (int i = 0; i < beans.getLength(); i++) {
            Class.forName(beans.item(i).getAttributes().getNamedItem("class").getNodeValue()); // every class exists
        }
        assertTrue(Files.readString(Path.of("src/main/karaf/etc/tw.einvoice.ecpay.cfg")).contains("ecpay.routes.location"));
    }

    private static String pomValue(String pom, String tag) {
        Matcher m = Pattern.compile("<" + Pattern.quote(tag) + ">([^<]+)</").matcher(pom);
        assertTrue(m.find(), tag);
        return m.group(1);
    }

    /** Package names of an OSGi header, without attributes and directives. */
    private static List<String> packages(String header) {
        List<String> out = new ArrayList<>();
        // split on commas outside quotes
        Matcher m = Pattern.compile("([^,\"]|\"[^\"]*\")+").matcher(header);
        while (m.find()) {
            out.add(m.group().split(";")[0].strip());
        }
        return out;
    }
}
